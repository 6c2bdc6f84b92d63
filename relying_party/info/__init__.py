"""Small reference pages: what VK ID passes to Sferum, VK ID itself, privacy, terms, help."""
