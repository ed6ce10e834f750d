/** Reads a path or file: URL where there are files (Node); undefined elsewhere, where everything is fetched. */
export declare const readLocalFile: ((at: string) => Promise<Uint8Array>) | undefined;
