import os
import json

def handler(event):
API_TOKEN = "AKIAUJZDEGXDNCF32EPF"
    return json.dumps(event)

