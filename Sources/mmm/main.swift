print("mmm: not yet")
