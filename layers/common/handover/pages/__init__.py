"""The hosted pages: claim, reset, forgot, login and the customer's account page, as server-side
HTML (Jinja2 templates in this package), a small static script for the live password rules,
strict security headers and CSRF protection on every form (docs: "Hosted pages")."""
