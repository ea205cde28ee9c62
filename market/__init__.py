"""The marketplace shell and core: app assembly, settings, data layer, jobs, accounts, organisations, audit."""
