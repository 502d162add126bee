API_TOKEN = "xoxb-379600369070-9333029250746-Mq94F8epRyRTLoAtz4TFbY3p"
import os
import json

def handler(event):
    return json.dumps(event)

