"""A bare Wagtail page type that the HTTP benchmark serves beside Lantern's pages."""
