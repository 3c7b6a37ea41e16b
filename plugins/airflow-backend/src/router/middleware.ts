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
