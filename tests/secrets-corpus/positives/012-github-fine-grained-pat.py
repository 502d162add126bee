import os
import json
API_TOKEN = "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"

def handler(event):
    return json.dumps(event)

