"""Licences taken under open licences (Patent Law Art 51): request, activation on payment, term."""
