// An empty stand-in for optional modules the bundle must not look for on disk (debug's supports-color).
module.exports = {};
