"""Open-licence declarations (Patent Law Art 50-51): eligibility, versions, publication and withdrawal."""
