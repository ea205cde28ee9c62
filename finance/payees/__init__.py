"""A university's payee account (收款账户): where licensees send their bank transfers."""
