import os
import json
API_TOKEN = "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"

def handler(event):
    return json.dumps(event)

