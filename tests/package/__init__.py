"""The project as another team uses it: a wheel installed into a fresh environment elsewhere."""
