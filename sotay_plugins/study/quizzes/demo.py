def seed_demo(scale, seed, stdout):
    raise NotImplementedError
