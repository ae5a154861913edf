"""Server processes the tests start themselves (the ZEO server, the OpenID
Connect provider)."""
import subprocess


def stop(process, timeout=10):
    """Stop ``process`` (a :class:`subprocess.Popen`, or ``None``) if it still
    runs: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
