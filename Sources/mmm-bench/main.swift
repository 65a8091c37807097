print("mmm-bench: not yet")
