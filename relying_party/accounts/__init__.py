"""VK ID-style login, logout and password reset."""
