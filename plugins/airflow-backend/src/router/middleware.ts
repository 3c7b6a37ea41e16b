import { InputError, isError } from '@backstage/errors';
import { REQUEST_BODY_MAX_BYTES } from '@airflow-for-backstage/backstage-plugin-airflow-common';
import express, {
  type ErrorRequestHandler,
  type RequestHandler,
} from 'express';
import {
  humanizeValidationMessage,
  isValidatorMessage,
  type SpecIndex,
} from './spec';

/** An integer as the API accepts it in a path or query: decimal digits, an optional minus. */
const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * Answers 405 with an `Allow` header for a request whose path is in the spec
 * but whose method is not declared for it. (The OpenAPI validator would turn
 * this into a 400, and the express router into a 404.) Paths the spec does
 * not know are left alone (404).
 */
export function methodNotAllowed(index: SpecIndex): RequestHandler {
  return (req, res, next) => {
    const route = index.route(req.path);
    if (!route || route.methods.includes(req.method.toLowerCase())) {
      next();
      return;
    }
    const allow = route.methods.map(m => m.toUpperCase()).join(', ');
    res
      .status(405)
      .set('Allow', allow)
      .json({
        error: {
          name: 'MethodNotAllowedError',
          message: `${req.method} is not allowed on ${req.path}; allowed: ${allow}`,
        },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 405 },
      });
  };
}

/** Rewrites the OpenAPI validator's refusals into plain words (see {@link humanizeValidationMessage}). */
export function readableValidationErrors(
  index: SpecIndex,
): ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (
      isError(error) &&
      error.name === 'InputError' &&
      isValidatorMessage(error.message)
    ) {
      next(
        new InputError(
          humanizeValidationMessage(error.message, index, {
            method: req.method,
            path: req.path,
            body: req.body,
          }),
        ),
      );
      return;
    }
    next(error);
  };
}

/**
 * Refuses a request body that is not JSON: it would otherwise be ignored and
 * the request run with defaults (e.g. a clear of all tasks instead of only
 * failed ones).
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    next(
      new InputError(
        `Request body must be JSON with Content-Type: application/json (got ${
          req.headers['content-type'] ?? 'no Content-Type'
        })`,
      ),
    );
    return;
  }
  next();
};

/** Parses JSON bodies of at most {@link REQUEST_BODY_MAX_BYTES}; a larger one is a 413. */
export const jsonBody: RequestHandler = express.json({
  limit: REQUEST_BODY_MAX_BYTES,
  strict: true,
});

/**
 * Refuses integer parameters (path and query) that are not written in
 * decimal digits: the OpenAPI validator coerces strings with JavaScript's
 * number parsing, which would read `1e3` as 1000, `0x10` as 16 and ` 7` as
 * 7. Ranges are left to the validator.
 */
export function strictIntegers(index: SpecIndex): RequestHandler {
  return (req, _res, next) => {
    const route = index.route(req.path);
    if (!route) {
      next();
      return;
    }
    const params = index.parameters(route, req.method);
    let pathValues: Record<string, string> | undefined;
    for (const param of params) {
      const schema = index.resolve(param.schema);
      if (schema?.type !== 'integer') continue;
      let raw: unknown;
      let where: string;
      if (param.in === 'query') {
        raw = (req.query as Record<string, unknown>)[param.name];
        where = 'query';
      } else if (param.in === 'path') {
        pathValues ??= index.pathValues(route, req.path);
        const encoded = pathValues[param.name];
        try {
          raw = encoded === undefined ? undefined : decodeURIComponent(encoded);
        } catch {
          raw = encoded;
        }
        where = 'path';
      } else {
        continue;
      }
      if (raw === undefined) continue;
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.some(v => typeof v !== 'string' || !DECIMAL_INTEGER.test(v))) {
        next(
          new InputError(
            `Invalid ${where}: ${
              param.name
            } must be an integer in decimal digits${
              typeof schema.minimum === 'number' &&
              typeof schema.maximum === 'number'
                ? ` from ${schema.minimum} to ${schema.maximum}`
                : ''
            }`,
          ),
        );
        return;
      }
    }
    next();
  };
}
