// What `#read-file` resolves to outside Node (browsers, bundlers' default): no files to read, so files.ts
// fetches everything, and no bundle meets node:fs.
export const readLocalFile = undefined;
