import os
API_TOKEN = "sk_live_NlkgtqJ09bbg7SVmqb1MOKDH"
import json

def handler(event):
    return json.dumps(event)

