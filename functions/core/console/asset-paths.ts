// Where the console's script and stylesheet (assets.ts) are served: the route table and the pages' links name them
// without loading them.

/** Where the console's script is served. */
export const CONSOLE_SCRIPT_PATH = '/admin/console.js';
/** Where the console's stylesheet is served (beside the pages' own, /v1/site.css, whose variables it uses). */
export const CONSOLE_STYLE_PATH = '/admin/console.css';
