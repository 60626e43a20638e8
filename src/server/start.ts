/**
 * `npm start` entry point. The retail server is not assembled yet: say so plainly.
 */
console.log(
  [
    "offline-pos: the retail server is not built yet.",
    "When it lands, `npm start` will run the store's retail server on PORT (default 8080) with an",
    "embedded demo store in POS_DATA_DIR (default ./data), and serve the register app at / and the",
    "manager view at /manager.",
    "Until then, `npm test` runs the domain and replication tests.",
  ].join("\n"),
);
