"""Analytics: aggregate figures (never personal data) and their charts."""
