import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("thorough", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# the persistent cache (symbolic.disk_cache) of this test session: a fresh directory, never the user's
if "ACTTHEORY_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["ACTTHEORY_CACHE_DIR"] = tempfile.mkdtemp(prefix="acttheory-test-cache-")
