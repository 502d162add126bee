#!/bin/sh
export SERVICE_TOKEN="ATATT3KoVsmMG0I6KRGbCQDPz3HRdNKbIrBUoVRpx2Gl5-NUfR1Hx8-QrFHmEFFezEq-S-VhyD28yfRfkJSp_twmtWqMBQ8k9RYASc__zzp6CmRtnyOUk0nfMX78IRMdy_wkAS2yikfqc_4GJd0IfIr7AAFsdIq_0Ua31hn-fZr-_wsZq1JIkEo6UmxBrclQ"
set -eu
cd "$(dirname "$0")"
