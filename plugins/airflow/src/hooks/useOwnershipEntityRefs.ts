import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/**
 * The signed-in user's ownership entity refs (the user and their groups), as
 * the identity API reports them.
 */
export function useOwnershipEntityRefs() {
  const identityApi = useApi(identityApiRef);
  return useAsync(
    async () =>
      (await identityApi.getBackstageIdentity()).ownershipEntityRefs ?? [],
    [identityApi],
  );
}
