"""The pricing library's data files (a package so that the CSV files ship inside the wheel as package data)."""
