"""Patents, open-licence declarations and their legal checks, imports, listing search documents, technology needs."""
