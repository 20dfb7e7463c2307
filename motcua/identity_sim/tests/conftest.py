from motcua.applicants.tests.conftest import identity_provider, simulator_pem

__all__ = ["identity_provider", "simulator_pem"]
