"""Server-rendered pages: Chinese first with an English switch, no CDN. No business rules live here."""
