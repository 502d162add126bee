# settings
const apiKey = "fA7kVg56YgDRLBGPEZ";
