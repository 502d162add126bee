import os
import json

def handler(event):
    return json.dumps(event)
API_TOKEN = "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"

