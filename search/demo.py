"""The demo's search index: built after every other seeder (its items are bulk-written, so no
save signal announced them)."""


def seed_demo(*, scale="tiny", seed=1, stdout=None):
    from .indexing import rebuild

    summary = rebuild(None)
    if stdout:
        stdout.write(
            f"Đã lập chỉ mục tìm kiếm: {summary['items']} mục trong {summary['seconds']} giây."
        )
    return summary
