"""Views: data in, text out (rich renderables and JSON). Nothing here decides anything."""
