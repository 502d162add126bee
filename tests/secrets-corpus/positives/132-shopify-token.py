import os
API_TOKEN = "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"
import json

def handler(event):
    return json.dumps(event)

