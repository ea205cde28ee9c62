"""HTTP plumbing shared by every controller: access declarations, authentication, request ids, problem+json."""
