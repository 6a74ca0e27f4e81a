"""Server-rendered HTML pages (Jinja2 templates in web/templates); they work without JavaScript."""
