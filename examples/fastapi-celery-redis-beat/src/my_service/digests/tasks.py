import hashlib
import uuid

from celery import shared_task

COMPUTE_DIGEST = "digests.compute"
SALT = b"plinth-digests"


def digest_task_id(text: str, rounds: int) -> str:
    """The same request always gets the same task id, so a client retrying a POST does not start
    a second, different task."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{COMPUTE_DIGEST}:{rounds}:{text}"))


@shared_task(name=COMPUTE_DIGEST)
def compute_digest(text: str, rounds: int) -> str:
    """PBKDF2-SHA256 of `text`: seconds of CPU that would stall a web worker.

    Idempotent, as every task must be under late acknowledgement (R20): a worker killed mid-task
    gets it delivered again, and running it twice yields the same result with no side effect.
    """
    return hashlib.pbkdf2_hmac("sha256", text.encode(), SALT, rounds).hex()
