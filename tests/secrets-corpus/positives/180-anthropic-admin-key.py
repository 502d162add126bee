import os
import json

def handler(event):
    return json.dumps(event)

API_TOKEN = "sk-ant-admin01-DcywNTpclmSi5deyPOtbkbY1wSBGxQ417pDjJw9U95-FaNAfZRH1sT1sTz_Q0ReBq6hlxWr3UhGDBEPbn_1QbT0_QyRxDAA"
