"""Schools: members, classes, join requests and invite links."""
