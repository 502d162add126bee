import os
import json
API_TOKEN = "ciouygkCk8PP7EWN1WWWurZpaAIbvoI4w60"

def handler(event):
    return json.dumps(event)

