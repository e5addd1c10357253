#!/usr/bin/env python3
"""Writes mountebank's --configfile: one HTTP imposter on PORT whose only stub is the JS injection
in mountebank_inject.js (which verifies the sign). Usage: mountebank_config.py PORT OUT_FILE"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "mountebank_inject.js")) as f:
    inject = f.read()
imposter = {"port": int(sys.argv[1]), "protocol": "http", "name": "idocr peer",
            "stubs": [{"responses": [{"inject": inject}]}]}
with open(sys.argv[2], "w") as f:
    json.dump({"imposters": [imposter]}, f)
