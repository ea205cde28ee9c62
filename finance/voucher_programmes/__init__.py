"""Voucher programmes (服务券 / 创新券): the issuer's versioned terms."""
