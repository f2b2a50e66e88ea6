import pytest


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test starts a real worker (marked ``redis``)."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from weixi_grid.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
