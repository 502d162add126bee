import os
import json

def handler(event):
    return json.dumps(event)
API_TOKEN = "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"

