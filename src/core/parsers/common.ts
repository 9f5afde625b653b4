// The call expression type the interpreters (Python and tfjs) and their values share.
// (The statement-by-statement LayerGraph / ModelCollector that the tfjs front end used before it
// ran in the interpreter are gone: both front ends build models in pythonInterpreter.ts now.)
import type { Expr } from './expr.ts';

export type CallExpr = Extract<Expr, { kind: 'call' }>;
