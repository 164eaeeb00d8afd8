#!/usr/bin/env python
from lantoa.__main__ import main

if __name__ == "__main__":
    main()
