"""Patent records of universities: numbers, kinds, dates, legal status and encumbrances."""
