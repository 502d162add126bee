import os
import json
API_TOKEN = "sk-ant-admin01-H5HRT3G53DTRhXMBzbwJtQ6iPr_q3JWtLnhlY5csqcFIvD8a_e_iZQDs3otpOI1YhChPeROWMbVu9WIKYY8tRDmt0dIXlAA"

def handler(event):
    return json.dumps(event)

