import { useRouteRef } from '@backstage/core-plugin-api';
import { ownershipRouteRef } from '../routes';

/**
 * The path of the ownership page, or undefined when the app does not mount it.
 * Works in both frontend systems.
 */
export function useOwnershipPageLink(): string | undefined {
  // useRouteRef calls all of its hooks before it throws for an unmounted
  // route, so catching keeps the hook order stable.
  try {
    return useRouteRef(ownershipRouteRef)();
  } catch {
    return undefined;
  }
}
