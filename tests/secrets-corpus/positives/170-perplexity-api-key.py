import os
import json

API_TOKEN = "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"
def handler(event):
    return json.dumps(event)

