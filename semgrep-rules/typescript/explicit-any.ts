// ok: backlint.typescript.explicit-any
import { z } from 'zod';
// ruleid: backlint.typescript.explicit-any
function f(x: any, y: string): any { return x as any; }
// ruleid: backlint.typescript.explicit-any
const a: any[] = [];
// ruleid: backlint.typescript.explicit-any
const b: Array<any> = [];
// ruleid: backlint.typescript.explicit-any
const c: Record<string, any> = {};
// ruleid: backlint.typescript.explicit-any
async function g(): Promise<any> { return <any>a; }
// ruleid: backlint.typescript.explicit-any
let d: Map<string, any>;
// ruleid: backlint.typescript.explicit-any
type T = { k: any; m: (a: any) => void };
// ruleid: backlint.typescript.explicit-any
interface I { p: any; q?: any[] }
// ruleid: backlint.typescript.explicit-any
const h = (z: any) => z;
// ruleid: backlint.typescript.explicit-any
foo<any>(1);
// ruleid: backlint.typescript.explicit-any
class K { prop: any; method(a: any): any {} }
// ok: backlint.typescript.explicit-any
// callers may pass any value: any is fine here in prose
// ok: backlint.typescript.explicit-any
const s = "any string: any";
// ok: backlint.typescript.explicit-any
let u: unknown;
// ruleid: backlint.typescript.explicit-any
let e: string | any;
// ok: backlint.typescript.explicit-any
type Keys = keyof any;
// ok: backlint.typescript.explicit-any
const Schema = z.object({ meta: z.any() });
// ok: backlint.typescript.explicit-any
const many = { anyOf: [1], company: 'x' };
// ok: backlint.typescript.explicit-any
const msg = `Pick any: option`;
/**
 * @param input - any: value, as any caller likes
 */
// ok: backlint.typescript.explicit-any
function typed<T>(input: T): T { return input; }
// ruleid: backlint.typescript.explicit-any
export function handler(req: Request, res: any, next: (err?: unknown) => any) {}
